"""Administrative units (province, district until 2025, commune/ward) as a dated tree."""
