#!/bin/sh
# Install Hearth for this user (no root): the program in ~/.local/share/hearth, the `hearth` command
# in ~/.local/bin, the menu entry and the icon where the desktop finds them. Run from the unpacked
# archive:  ./install.sh        Remove:  ./install.sh --uninstall
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
APP="$DATA/hearth-app"  # not ~/.local/share/hearth: that folder holds the user's data
BIN="$HOME/.local/bin"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$APP" "$BIN/hearth" "$DATA/applications/hearth.desktop" "$DATA/icons/hicolor/scalable/apps/hearth.svg"
  echo "Hearth removed (your conversations, settings and models stay where they are)."
  exit 0
fi
mkdir -p "$APP" "$BIN" "$DATA/applications" "$DATA/icons/hicolor/scalable/apps"
rm -rf "$APP/program"
cp -a "$HERE/hearth" "$APP/program"
ln -sf "$APP/program/hearth" "$BIN/hearth"
cp "$HERE/hearth.svg" "$DATA/icons/hicolor/scalable/apps/hearth.svg"
sed "s|^Exec=.*|Exec=$APP/program/hearth|" "$HERE/hearth.desktop" > "$DATA/applications/hearth.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$DATA/icons/hicolor" 2>/dev/null || true
echo "Hearth installed: run 'hearth' (make sure $BIN is on your PATH) or open it from the menu."
