"""Reports for officers and leaders: Resolution 42 indicators, monthly totals, the annual report."""
