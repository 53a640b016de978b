package graphql

import (
	"sync"
	"weak"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/tags"
)

// columnCache memoizes columnAccess answers. An answer is a pure function of the policy
// it is judged on (compiled once per subject and generation of grants, roles and
// memberships, and never changed), the branch view (one per version, never changed), the
// dataset and the mode: the same four give the same answer, reasons included. So the key
// holds exactly those, the two values by weak pointer: a change of grants or a deploy
// makes a new policy or view, whose answers are computed anew, and the cache keeps no
// policy or view alive. Stale entries go when the cache is full and is emptied.
type columnCache struct {
	mu      sync.RWMutex
	answers map[columnKey]access.ColumnAccess
}

type columnKey struct {
	pol     weak.Pointer[access.Policy]
	view    weak.Pointer[tags.View]
	dataset string
	mode    access.Mode
}

// maxColumnCache bounds the entries: at 200 columns an answer is a few KB.
const maxColumnCache = 4096

func (cc *columnCache) get(k columnKey) (access.ColumnAccess, bool) {
	cc.mu.RLock()
	defer cc.mu.RUnlock()
	ca, ok := cc.answers[k]
	return ca, ok
}

func (cc *columnCache) put(k columnKey, ca access.ColumnAccess) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.answers == nil || len(cc.answers) >= maxColumnCache {
		cc.answers = make(map[columnKey]access.ColumnAccess)
	}
	cc.answers[k] = ca
}
