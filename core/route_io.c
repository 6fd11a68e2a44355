/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The router's outputs (struct route_io in route.h), as the wiring gives them. */
#include "route.h"
#include "route_internal.h"

struct route_io route_io;

route_capture_fn *route_capture;

void route_set_io(const struct route_io *io) {
	route_io = *io;
}

void route_set_capture(route_capture_fn *capture) {
	route_capture = capture;
}
