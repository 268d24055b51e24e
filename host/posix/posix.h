/* What host/posix's files share and nothing else: the signal stack a new
 * thread installs for the fault handler.
 * Named plat_posix_* to stay inside libgoro.a's link namespace. */
#ifndef GORO_HOST_POSIX_H
#define GORO_HOST_POSIX_H

/* minitSignalStack: give the calling thread a 64 KiB signal stack so the
 * handler can run after a goroutine ran off its own. Calling thread only. */
void plat_posix_sigaltstack(void);

#endif
