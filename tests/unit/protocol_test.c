/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
#include "check.h"
int main(void) {
	return check_done("protocol_test");
}
