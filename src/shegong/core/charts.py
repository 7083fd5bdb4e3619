"""What every room's charts share: the palette (pages, PNG files and prints alike)."""

BAR_COLOURS = ("#b3261e", "#1d4ed8", "#1a7f37", "#b54708", "#6941c6", "#0e7490", "#667085")
