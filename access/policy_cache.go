package access

// The Registry's cache of compiled policies. Every change of grants, roles or principals
// (members, creation, deletion) bumps one generation counter; a cached policy of an older
// generation is compiled anew on its next use, so the next decision sees the change. A
// lookup is a read-locked map access and an atomic load: no allocation.

type policyKey struct{ org, ref string }

type cachedPolicy struct {
	gen uint64
	p   *Policy
}

// invalidate makes every cached policy stale and drops them all: a stale one would be
// compiled anew on its next use anyway, and dropping them keeps no policy of a deleted
// principal. The cache then holds only principals that asked since the last change, each
// an existing one (Policy is asked for callers and for validated "as" references). Called
// after a change, with r.mu held: the lock order is mu, then policyMu.
func (r *Registry) invalidate() {
	r.gen.Add(1)
	r.policyMu.Lock()
	clear(r.policies)
	r.policyMu.Unlock()
}

// cachedPolicies is how many compiled policies the cache holds (for tests).
func (r *Registry) cachedPolicies() int {
	r.policyMu.RLock()
	defer r.policyMu.RUnlock()
	return len(r.policies)
}

// Policy returns the compiled policy of principal subjectRef of org: its grants, its
// teams', groups' and org's grants, and the org's roles. It is compiled once per subject
// and kept until a change of grants, roles or memberships; safe for concurrent use. An
// unknown subject gets a policy of its own grants (none), which allows nothing.
func (r *Registry) Policy(org, subjectRef string) *Policy {
	k := policyKey{org, subjectRef}
	gen := r.gen.Load()
	r.policyMu.RLock()
	c := r.policies[k]
	r.policyMu.RUnlock()
	if c != nil && c.gen == gen {
		return c.p
	}
	r.mu.RLock()
	gen = r.gen.Load() // changes happen under r.mu: this generation is what we compile
	sub := Subject{Principal: subjectRef}
	if om := r.members[org]; om != nil {
		sub.Memberships = om.memberships[subjectRef]
	}
	refs := append([]string{subjectRef}, sub.Memberships...)
	var grants []Grant
	for _, g := range r.grants[org] {
		for _, ref := range refs {
			if g.Principal == ref {
				grants = append(grants, *g)
				break
			}
		}
	}
	p := Compile(sub, grants, r.roleMap[org])
	r.mu.RUnlock()
	r.policyMu.Lock()
	if old := r.policies[k]; old == nil || old.gen <= gen {
		r.policies[k] = &cachedPolicy{gen: gen, p: p}
	}
	r.policyMu.Unlock()
	return p
}
