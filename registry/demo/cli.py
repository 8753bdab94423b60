"""``flask demo seed``."""

import click

demo_cli = click.Group("demo", help="Demonstration data.")
