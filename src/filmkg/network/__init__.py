"""The collaboration network: projection, analytics and drawing."""
