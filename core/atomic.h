/* Go's runtime/internal/atomic on the compiler's __atomic builtins. Load,
 * Store, Xadd, Xchg and Cas are sequentially consistent as in Go; the Acq/Rel
 * forms are exactly as weak as Go's LoadAcq, StoreRel and CasRel. A "plain"
 * access in Go's source that races by design is a relaxed one here. */
#ifndef GORO_ATOMIC_H
#define GORO_ATOMIC_H

#include <stdint.h>
#include <stdbool.h>

#define atomic_load(p)          __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_loadacq(p)       __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_loadrelaxed(p)   __atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_store(p, v)      __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_storerel(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define atomic_storerelaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_xadd(p, d)       __atomic_add_fetch((p), (d), __ATOMIC_SEQ_CST)
#define atomic_xchg(p, v)       __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_or(p, v)         ((void)__atomic_or_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_and(p, v)        ((void)__atomic_and_fetch((p), (v), __ATOMIC_SEQ_CST))

/* Cas(p, old, new): true if *p was old and is now new. */
#define atomic_cas(p, old, new) __extension__ ({ \
	__typeof__(*(p)) atomic_cas_old_ = (old); \
	__atomic_compare_exchange_n((p), &atomic_cas_old_, (new), false, \
	                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); })

/* CasRel: release on success, nothing promised on failure. */
#define atomic_casrel(p, old, new) __extension__ ({ \
	__typeof__(*(p)) atomic_cas_old_ = (old); \
	__atomic_compare_exchange_n((p), &atomic_cas_old_, (new), false, \
	                            __ATOMIC_RELEASE, __ATOMIC_RELAXED); })

#endif
