"""Information: data-credit platforms that rate firms and partner teams that visit them."""
