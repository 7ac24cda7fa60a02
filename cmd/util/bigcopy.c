#include "cmd/util/bigcopy.h"

#include <string.h>

/* In a file of its own: here n is not a constant, so these are calls to
 * libc's memcpy and memset wherever they are used. */
void big_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

void big_zero(void *dst, size_t n)
{
	memset(dst, 0, n);
}
