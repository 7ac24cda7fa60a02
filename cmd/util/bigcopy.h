/* memcpy and memset for large fixed sizes (an event, 464 bytes), kept out
 * of line. Given a constant size, the compiler copies inline with `rep
 * movsq` (`rep stosq`), which took about 30 ns for an event on the
 * development machine (a Xeon VM with AVX-512); libc's vector moves 12-14.
 * A replay copies every event twice, --stream's packet memory up to three
 * times more. */
#ifndef PKTPATH_BIGCOPY_H
#define PKTPATH_BIGCOPY_H
#include <stddef.h>

void big_copy(void *dst, const void *src, size_t n);
void big_zero(void *dst, size_t n);

#endif
