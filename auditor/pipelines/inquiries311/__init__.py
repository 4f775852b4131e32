"""The 3-1-1 inquiry-volume pipeline (OpenData Vancouver portal export)."""
