"""Tests of the deployment: installer, unit, staff access, and a booted Bookworm container."""

# A configuration with every device simulated: test machines and containers
# have no GPIO, I2C or scanner.
SIM_DEVICES = """\
[scanner]
backend = "sim"
[leds]
backend = "sim"
[buttons]
backend = "sim"
[display]
backend = "sim"
"""
