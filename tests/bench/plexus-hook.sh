#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# vpn-bench.sh custom hook: run plexusd exactly like tincd, in the foreground
# (exec, so the hook's PID is the daemon's PID for CPU accounting).
# Called as: plexus-hook.sh NODE CONFDIR PIDFILE LOGFILE (inside the node's
# namespace). PLEXUS_BUILD must point to a build directory.
: "${PLEXUS_BUILD:?set PLEXUS_BUILD to a Plexus build directory}"
PLEXUS_PLUGIN_PATH=${PLEXUS_PLUGIN_PATH:-$PLEXUS_BUILD/plugins}
export PLEXUS_PLUGIN_PATH
exec "$PLEXUS_BUILD/core/plexusd" -D -c "$2" --pidfile="$3" --logfile="$4"
