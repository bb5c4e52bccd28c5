"""Annual flux engine (issue 5): forecast per cell and allocation of whole dwellings."""
