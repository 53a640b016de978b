package access

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tagflow/tagflow/catalog"
)

// OrgSettings are the settings of one org.
type OrgSettings struct {
	// ListNames lets every member of the org list the name of every asset, readable or
	// not (DESIGN §5, ArcticDB's "list all libraries but not their content"); it is the
	// default. Off, a member learns only the names of what it may read: listings and
	// search show only readable assets, asset answers null for the others, and lineage,
	// impact and explanations show their paths as "(redacted)".
	ListNames bool `json:"listNames"`
}

// DefaultOrgSettings are the settings of an org that never changed them.
var DefaultOrgSettings = OrgSettings{ListNames: true}

// keySettings: ac\0settings\0<org> holds an org's settings (JSON), absent until first changed.
const keySettings = "ac\x00settings\x00"

func (r *Registry) loadSettings(tx catalog.Txn) error {
	return tx.Iterate([]byte(keySettings), func(k, v []byte) error {
		s := DefaultOrgSettings
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("org settings %q: %w", k, err)
		}
		r.settings[string(k[len(keySettings):])] = s
		return nil
	})
}

// Settings returns the settings of org.
func (r *Registry) Settings(org string) OrgSettings {
	r.settingsMu.RLock()
	defer r.settingsMu.RUnlock()
	if s, ok := r.settings[org]; ok {
		return s
	}
	return DefaultOrgSettings
}

// SetSettings stores the settings of org; they apply to the next request. The caller
// checks that the principal may (MANAGE on the org).
func (r *Registry) SetSettings(ctx context.Context, org string, s OrgSettings) error {
	r.settingsMu.Lock()
	defer r.settingsMu.Unlock()
	err := r.store.Update(ctx, func(tx catalog.Txn) error {
		return putJSON(tx, []byte(keySettings+org), s)
	})
	if err != nil {
		return fmt.Errorf("set settings of %s: %w", org, err)
	}
	r.settings[org] = s
	return nil
}
