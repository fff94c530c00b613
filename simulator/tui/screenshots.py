"""Where the palette's Screenshot goes: the Downloads folder when there is one, else callsim's data folder.

Textual writes to Downloads and fails without a word when that folder does not exist (common on servers
and in containers); the data folder always can be made.
"""

from __future__ import annotations

from pathlib import Path


def screenshot_folder() -> Path:
    import platformdirs

    from simulator.config import data_dir

    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir():
        return downloads
    folder = data_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
