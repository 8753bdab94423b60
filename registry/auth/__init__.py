"""Users, roles, permissions, log-in and the administrative scope of each actor."""
