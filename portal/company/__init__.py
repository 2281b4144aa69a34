"""The company an HR admin works for: its details (VAT number) as the providers expect them,
and finding a company among all of them for customer success."""
