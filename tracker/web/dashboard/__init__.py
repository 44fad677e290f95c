"""The dashboard: the commune's state at a glance, counted in SQL, drawn as inline SVG."""
