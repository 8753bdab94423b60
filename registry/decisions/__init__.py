"""Benefit decisions (quyết định hưởng): proposal, appraisal, approval, suspension, end."""
