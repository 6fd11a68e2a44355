/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The one entry point every fuzz target defines. libFuzzer calls it with
 * generated inputs; replay_main.c calls it with the files of a seed corpus,
 * so the corpora run as regression tests in `make check` without clang.
 */
#ifndef PX_FUZZ_TARGET_H
#define PX_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
