/* Go's runtime/internal/atomic on the compiler's __atomic builtins, named in
 * musl's manner (a_load, a_cas, ...) so that <stdatomic.h> can sit beside it.
 * Load, Store, Xadd, Xchg and Cas are sequentially consistent as in Go; the
 * _acq/_rel forms are exactly as weak as Go's LoadAcq, StoreRel and CasRel. A
 * "plain" access in Go's source that races by design is a _relaxed one here. */
#ifndef GORO_ATOMIC_H
#define GORO_ATOMIC_H

#include <stdint.h>
#include <stdbool.h>

#define a_load(p)          __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define a_load_acq(p)       __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define a_load_relaxed(p)   __atomic_load_n((p), __ATOMIC_RELAXED)
#define a_store(p, v)      __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define a_store_rel(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define a_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define a_xadd(p, d)       __atomic_add_fetch((p), (d), __ATOMIC_SEQ_CST)
#define a_xchg(p, v)       __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define a_or(p, v)         ((void)__atomic_or_fetch((p), (v), __ATOMIC_SEQ_CST))
#define a_and(p, v)        ((void)__atomic_and_fetch((p), (v), __ATOMIC_SEQ_CST))

/* Cas(p, old, new): true if *p was old and is now new. */
#define a_cas(p, old, new) __extension__ ({ \
	__typeof__(*(p)) a_cas_old_ = (old); \
	__atomic_compare_exchange_n((p), &a_cas_old_, (new), false, \
	                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); })

/* CasRel: release on success, nothing promised on failure. */
#define a_cas_rel(p, old, new) __extension__ ({ \
	__typeof__(*(p)) a_cas_old_ = (old); \
	__atomic_compare_exchange_n((p), &a_cas_old_, (new), false, \
	                            __ATOMIC_RELEASE, __ATOMIC_RELAXED); })

#endif
