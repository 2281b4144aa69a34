"""The company an HR admin works for: its details (VAT number) as the providers expect them."""
