#!/usr/bin/env bash
# Runs a command on its own Xvfb at 1920x1080 (a real X window, no GPU).
exec xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$@"
