package access

// Policy is the compiled policy of subjectRef in org: the principal, its memberships, the
// org's grants and the built-in roles. This is an uncached stand-in (the cached version with
// custom roles replaces it).
func (r *Registry) Policy(org, subjectRef string) *Policy {
	sub := Subject{Principal: subjectRef, Memberships: r.Memberships(org, subjectRef)}
	return Compile(sub, r.orgGrants(org), nil)
}

// orgGrants is every grant of org.
func (r *Registry) orgGrants(org string) []Grant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Grant, 0, len(r.grants[org]))
	for _, g := range r.grants[org] {
		out = append(out, *g)
	}
	return out
}
