"""Provider connectors: one module per provider behind `base.Connector`."""
