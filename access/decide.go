package access

import (
	"fmt"
	"slices"
	"strings"
)

// Mode is what a principal wants to do with an asset.
type Mode string

// The modes of DESIGN §5, and MANAGE for administering grants and roles.
const (
	ReadDefinitions  Mode = "READ_DEFINITIONS"
	WriteDefinitions Mode = "WRITE_DEFINITIONS"
	ReadData         Mode = "READ_DATA"
	WriteData        Mode = "WRITE_DATA"
	Manage           Mode = "MANAGE"
)

// Decision is the answer to "may P use mode m on path at branch?". Policy.Check fills
// Allowed and Grant; Policy.Explain also the Reason and, for a deny, the Denials.
type Decision struct {
	Allowed bool
	Reason  string
	// Grant is the grant that allowed the request; nil for a deny, or when ownership did.
	Grant *Grant
	// Owner is the owner reference that allowed the request (the subject or one of its
	// memberships), when ownership did.
	Owner string
	// Denials are, for a deny, each grant of the subject with the first reason it failed.
	Denials []Denial
}

// Stage is where a grant failed a request, in the order they are tested.
type Stage string

// The stages of DESIGN §5: the grant's role is unknown, its scope does not cover the path,
// no rule holds the mode, none matches the branch, no rule's tag expression holds.
const (
	StageRole   Stage = "role"
	StageScope  Stage = "scope"
	StageMode   Stage = "mode"
	StageBranch Stage = "branch"
	StageTags   Stage = "tags"
)

// Denial is one grant that did not allow a request, and the first reason it failed.
type Denial struct {
	Grant  *Grant
	Stage  Stage
	Reason string
}

// Subject is who a decision is for: a principal reference ("user:jane@acme") and the
// references of the teams, groups and org it belongs to ("team:data", "group:x",
// "org:acme"). ${user} expands to the principal's name when it is a user, ${team} to the
// names of its teams.
type Subject struct {
	Principal   string
	Memberships []string
}

// Request is one question to a Policy. Everything the decision depends on is in it:
// access never reads the catalog.
type Request struct {
	Mode   Mode
	Path   string // an asset ("data/forecast") or a member ("User.city"); "" is the org itself
	Branch string
	// Tags are the path's present tags at Branch, sorted: what a read (and MANAGE) is
	// judged on, and a write when Change is nil (its tags do not change).
	Tags []string
	// Change is, for a write, the tags before and after it.
	Change *Change
	// Owner is the owner reference of the asset (a member's: its dataset's), "" when it
	// has none yet: a creating deploy is judged by the creator's grants (DESIGN §2).
	Owner string
	// NewCancels are the tags t whose cancellation ~t the write declares anew (not declared
	// before, by a document or a steward): declaring one also needs MANAGE on the path.
	NewCancels []string
	// TagSource says where a present tag of Path comes from, for reasons ("declared on
	// User", "from User.city"); nil, or "" for a tag, leaves the source out.
	TagSource func(tag string) string
}

// Change is a write's tags before and after it, each sorted. Creates: the asset does not
// exist before (only After is judged); Removes: it does not exist after (only Before).
type Change struct {
	Before, After    []string
	Creates, Removes bool
}

// Policy is what one subject may do: its grants and its memberships' grants, with their
// scopes parsed and templates expanded for it, and each grant's rules split by mode. It
// is built once by Compile (the Registry caches it and rebuilds it on a change of grants,
// roles or memberships), is immutable and safe for concurrent use.
type Policy struct {
	subject Subject
	who     Requester
	refs    []string // the subject and its memberships
	grants  []pgrant
	modes   [5]modeIndex
	exprs   map[*Expr]string // the canonical form of each rule's expression, for reasons
}

// pgrant is one grant of the subject, parsed.
type pgrant struct {
	g        Grant
	name     string // "role editor (granted to team:data on data/**)", for reasons
	scope    Scope
	scopeErr string // the scope did not parse: the grant covers nothing
	role     *Role  // nil: no role of that name
}

// modeIndex finds, for one mode, the grants holding a rule with it by what their scope
// covers: the whole org, one asset (and its members), everything under a prefix, or (a
// template whose expansion did not parse) a scope tested as it is.
type modeIndex struct {
	org    []cand
	asset  map[string][]cand
	prefix map[string][]cand // "ns/" -> grants on "ns/**"
	slow   []cand
}

// cand is a grant with the rules of its role that hold one mode.
type cand struct {
	gi    int
	scope Scope // for slow only
	rules []*Rule
}

// Compile builds the policy of sub from grants (only those given to sub or one of its
// memberships are kept) and roles (custom roles by name; the built-in names always mean
// the built-in roles). A grant whose role is unknown or whose scope does not parse allows
// nothing, and Explain says so. The policy keeps the roles it was given: a role is
// replaced, never changed in place, and a policy is compiled anew after a change of the
// subject's grants, roles or memberships, so that the change applies to the next decision.
func Compile(sub Subject, grants []Grant, roles map[string]*Role) *Policy {
	p := &Policy{subject: sub, refs: append([]string{sub.Principal}, sub.Memberships...)}
	if kind, name, ok := strings.Cut(sub.Principal, ":"); ok && kind == "user" {
		p.who.User = name
	}
	for _, m := range sub.Memberships {
		if kind, name, ok := strings.Cut(m, ":"); ok && kind == "team" {
			p.who.Teams = append(p.who.Teams, name)
		}
	}
	for _, g := range grants {
		if !p.isRef(g.Principal) {
			continue
		}
		pg := pgrant{g: g, name: grantName(&g)}
		if s, err := ParseScope(g.Scope); err != nil {
			pg.scopeErr = errMsg(err)
		} else {
			pg.scope = s
		}
		if r, ok := BuiltInRole(g.Role); ok {
			pg.role = r
		} else if r := roles[g.Role]; r != nil {
			pg.role = withDefaults(r)
		}
		p.grants = append(p.grants, pg)
	}
	p.exprs = map[*Expr]string{}
	for gi := range p.grants {
		pg := &p.grants[gi]
		if pg.role == nil || pg.scopeErr != "" {
			continue
		}
		for ri := range pg.role.Rules {
			if e := pg.role.Rules[ri].Tags; e != nil && p.exprs[e] == "" {
				p.exprs[e] = e.String()
			}
		}
		for mi, m := range Modes {
			var rules []*Rule
			for ri := range pg.role.Rules {
				if pg.role.Rules[ri].Modes.Has(m) {
					rules = append(rules, &pg.role.Rules[ri])
				}
			}
			if len(rules) > 0 {
				p.modes[mi].add(cand{gi: gi, scope: pg.scope, rules: rules}, p.who)
			}
		}
	}
	return p
}

// withDefaults is r, or for a role built by hand with a rule lacking branches or tags, a
// copy whose rules have the defaults of ParseRule: every branch, every asset.
func withDefaults(r *Role) *Role {
	ok := true
	for _, rule := range r.Rules {
		ok = ok && len(rule.Branches) > 0 && rule.Tags != nil
	}
	if ok {
		return r
	}
	c := *r
	c.Rules = slices.Clone(r.Rules)
	for i := range c.Rules {
		if len(c.Rules[i].Branches) == 0 {
			c.Rules[i].Branches = []BranchGlob{MustParseBranchGlob("*")}
		}
		if c.Rules[i].Tags == nil {
			c.Rules[i].Tags = MustParseExpr("true")
		}
	}
	return &c
}

func (p *Policy) isRef(ref string) bool {
	for _, r := range p.refs {
		if r == ref {
			return true
		}
	}
	return false
}

// add files c under what its scope covers, expanding a template for who.
func (ix *modeIndex) add(c cand, who Requester) {
	s := c.scope
	switch s.kind {
	case ScopeOrg:
		ix.org = append(ix.org, c)
		return
	case ScopeTemplate:
		for _, e := range s.expansionsFor(who) {
			es, err := ParseScope(e)
			if err != nil || es.kind == ScopeTemplate {
				ix.slow = append(ix.slow, c)
				return
			}
			ix.addLiteral(c, es)
		}
		return
	}
	ix.addLiteral(c, s)
}

func (ix *modeIndex) addLiteral(c cand, s Scope) {
	switch s.kind {
	case ScopeAsset:
		if ix.asset == nil {
			ix.asset = map[string][]cand{}
		}
		ix.asset[s.lit] = appendOnce(ix.asset[s.lit], c)
	case ScopePrefix:
		if ix.prefix == nil {
			ix.prefix = map[string][]cand{}
		}
		ix.prefix[s.lit] = appendOnce(ix.prefix[s.lit], c)
	}
}

// appendOnce appends c unless the same grant is there already (two teams expanding to one).
func appendOnce(cs []cand, c cand) []cand {
	for _, x := range cs {
		if x.gi == c.gi {
			return cs
		}
	}
	return append(cs, c)
}

// expansionsFor is every literal scope a template stands for for who: ${user} by its
// user name, ${team} by each of its team names. None when who lacks what it needs.
func (s Scope) expansionsFor(who Requester) []string {
	var user, team bool
	for _, sg := range s.segs {
		user = user || sg.kind == segUser
		team = team || sg.kind == segTeam
	}
	if user && who.User == "" || team && len(who.Teams) == 0 {
		return nil
	}
	if !team {
		return []string{s.expand(who.User, "")}
	}
	out := make([]string, len(who.Teams))
	for i, t := range who.Teams {
		out[i] = s.expand(who.User, t)
	}
	return out
}

// Subject returns the subject the policy was compiled for.
func (p *Policy) Subject() Subject { return p.subject }

// Check decides req without building a reason: Allowed, and the Grant (one that allows;
// Explain names the first in the order of the grants) or the Owner that allowed it. The
// Grant belongs to the policy: the caller must not change it. Check does not allocate.
func (p *Policy) Check(req *Request) Decision {
	d := p.check(req, req.Mode)
	if !d.Allowed || len(req.NewCancels) == 0 {
		return d
	}
	if m := p.check(req, Manage); !m.Allowed {
		return Decision{}
	}
	return d
}

// check decides req for mode m (req.Mode, or MANAGE for a new ~t).
func (p *Policy) check(req *Request, m Mode) Decision {
	mi := m.index()
	if mi < 0 {
		return Decision{}
	}
	if m != Manage && req.Owner != "" && p.isRef(req.Owner) {
		return Decision{Allowed: true, Owner: req.Owner}
	}
	ix := &p.modes[mi]
	for i := range ix.org {
		if g := p.tryRules(&ix.org[i], req, m); g != nil {
			return Decision{Allowed: true, Grant: g}
		}
	}
	if req.Path != "" {
		asset := assetOf(req.Path)
		if ix.asset != nil {
			cs := ix.asset[asset]
			for i := range cs {
				if g := p.tryRules(&cs[i], req, m); g != nil {
					return Decision{Allowed: true, Grant: g}
				}
			}
		}
		if ix.prefix != nil {
			for j := 0; j < len(asset)-1; j++ {
				if asset[j] != '/' {
					continue
				}
				cs := ix.prefix[asset[:j+1]]
				for i := range cs {
					if g := p.tryRules(&cs[i], req, m); g != nil {
						return Decision{Allowed: true, Grant: g}
					}
				}
			}
		}
	}
	for i := range ix.slow {
		c := &ix.slow[i]
		if c.scope.Covers(req.Path, p.who) {
			if g := p.tryRules(c, req, m); g != nil {
				return Decision{Allowed: true, Grant: g}
			}
		}
	}
	return Decision{}
}

// assetOf is the asset of a path: the path up to the first "." after its last "/".
func assetOf(path string) string {
	slash := strings.LastIndexByte(path, '/')
	if dot := strings.IndexByte(path[slash+1:], '.'); dot >= 0 {
		return path[:slash+1+dot]
	}
	return path
}

// tryRules returns the grant of c when one of its rules (all holding m) allows req.
func (p *Policy) tryRules(c *cand, req *Request, m Mode) *Grant {
	for _, r := range c.rules {
		if r.MatchBranch(req.Branch) && ruleHolds(r, req, m) {
			return &p.grants[c.gi].g
		}
	}
	return nil
}

// judged returns the tag states req is judged on for mode m: one for a read, before and
// after for a write with a Change (the rule must hold on each).
func judged(req *Request, m Mode) (states [2][]string, n int) {
	c := req.Change
	if c == nil || !writeJudged(req, m) {
		states[0] = req.Tags
		return states, 1
	}
	if !c.Creates {
		states[n] = c.Before
		n++
	}
	if !c.Removes {
		states[n] = c.After
		n++
	}
	return states, n
}

// writeJudged reports whether mode m of req is judged as a write: a write mode, or the
// MANAGE a write needs for a new ~t.
func writeJudged(req *Request, m Mode) bool {
	return m.IsWrite() || m == Manage && len(req.NewCancels) > 0 && req.Mode.IsWrite()
}

func ruleHolds(r *Rule, req *Request, m Mode) bool {
	states, n := judged(req, m)
	for i := 0; i < n; i++ {
		if !r.Tags.EvalSorted(states[i]) {
			return false
		}
	}
	return true
}

// Explain decides req as Check does, and says why in sentences a person can act on: for an
// allow the grant (or the ownership) that allowed it; for a deny every grant of the subject
// with the first reason it failed (scope, mode, branch, or the tag and where it came from).
func (p *Policy) Explain(req *Request) Decision {
	d := p.explain(req, req.Mode)
	if !d.Allowed || len(req.NewCancels) == 0 {
		return d
	}
	m := p.explain(req, Manage)
	tilde := "~" + strings.Join(req.NewCancels, ", ~")
	if !m.Allowed {
		m.Reason = fmt.Sprintf("denied: declaring %s on %s needs MANAGE there (cancelling a tag removes it from everything downstream: a steward's act); %s",
			tilde, what(req.Path), strings.TrimPrefix(m.Reason, "denied: "))
		return m
	}
	d.Reason += fmt.Sprintf("; declaring %s is %s", tilde, m.Reason)
	return d
}

func what(path string) string {
	if path == "" {
		return "the org"
	}
	return path
}

func (p *Policy) explain(req *Request, m Mode) Decision {
	if !m.Valid() {
		return Decision{Reason: fmt.Sprintf("denied: %q is not a mode; the modes are %s", string(m), AllModes.String())}
	}
	if m != Manage && req.Owner != "" && p.isRef(req.Owner) {
		member := ""
		if req.Owner != p.subject.Principal {
			member = fmt.Sprintf(", and %s belongs to it", p.subject.Principal)
		}
		return Decision{Allowed: true, Owner: req.Owner,
			Reason: fmt.Sprintf("allowed: %s owns %s%s (owners hold the four modes on their assets)", req.Owner, ownedAsset(req.Path), member)}
	}
	var denials []Denial
	covering := 0
	for gi := range p.grants {
		pg := &p.grants[gi]
		stage, why, rules := p.judgeFixed(pg, req.Path, req.Branch, m, true)
		if stage == "" {
			for _, r := range rules {
				if ruleHolds(r, req, m) {
					return Decision{Allowed: true, Grant: &pg.g, Reason: "allowed by " + pg.name}
				}
			}
			// The first rule that holds the mode on the branch is the one explained.
			stage, why = StageTags, p.tagDenial(pg, rules[0], req, m)
		}
		if stage != StageScope {
			covering++
		}
		denials = append(denials, Denial{Grant: &pg.g, Stage: stage, Reason: why})
	}
	return Decision{Denials: denials, Reason: p.denyReason(req.Path, m, req.Owner, denials, covering)}
}

// denyReason composes the reason of a deny from the denials: those of the grants that
// cover the path (at most three, then how many more), or that none covers it.
func (p *Policy) denyReason(path string, m Mode, owner string, denials []Denial, covering int) string {
	var b strings.Builder
	b.WriteString("denied: ")
	if covering == 0 {
		fmt.Fprintf(&b, "no grant of %s or its teams, groups and org covers %s", p.subject.Principal, what(path))
	} else {
		n := 0
		for _, dn := range denials {
			if dn.Stage == StageScope {
				continue
			}
			if n == 3 {
				break
			}
			if n > 0 {
				b.WriteString("; ")
			}
			b.WriteString(dn.Reason)
			n++
		}
		if covering > n {
			fmt.Fprintf(&b, "; and %d more grants", covering-n)
		}
	}
	if m == Manage && owner != "" && p.isRef(owner) {
		fmt.Fprintf(&b, "; %s owns %s, but owners hold the four modes, not MANAGE", owner, ownedAsset(path))
	}
	return b.String()
}

// ownedAsset names what an owner owns for path: the asset, or a member's dataset.
func ownedAsset(path string) string {
	if a := assetOf(path); a != path {
		return a + " (and so " + path + ")"
	}
	return what(path)
}

func grantName(g *Grant) string {
	return fmt.Sprintf("role %s (granted to %s on %s)", g.Role, g.Principal, g.Scope)
}

// judgeFixed judges pg on what does not depend on the tags, in order: scope, role, mode,
// branch. It returns the stage that fails and why, or "" and the rules of the role that
// hold m and match the branch. Without scopeWhy a scope miss is not explained.
func (p *Policy) judgeFixed(pg *pgrant, path, branch string, m Mode, scopeWhy bool) (Stage, string, []*Rule) {
	name := pg.name
	switch {
	case pg.scopeErr != "":
		if !scopeWhy {
			return StageScope, "", nil
		}
		return StageScope, name + " covers nothing: " + pg.scopeErr, nil
	case !pg.scope.Covers(path, p.who):
		if !scopeWhy {
			return StageScope, "", nil
		}
		return StageScope, name + ": " + pg.scope.Miss(path, p.who), nil
	case pg.role == nil:
		return StageRole, fmt.Sprintf("%s allows nothing: no role is named %s", name, pg.g.Role), nil
	}
	var withMode []*Rule
	for i := range pg.role.Rules {
		if pg.role.Rules[i].Modes.Has(m) {
			withMode = append(withMode, &pg.role.Rules[i])
		}
	}
	if len(withMode) == 0 {
		var all ModeSet
		for _, r := range pg.role.Rules {
			all |= r.Modes
		}
		if all == 0 {
			return StageMode, fmt.Sprintf("%s has no rules, so allows no %s", name, m), nil
		}
		return StageMode, fmt.Sprintf("%s allows %s, not %s", name, all, m), nil
	}
	var onBranch []*Rule
	for _, r := range withMode {
		if r.MatchBranch(branch) {
			onBranch = append(onBranch, r)
		}
	}
	if len(onBranch) == 0 {
		globs := make([]string, len(withMode))
		for i, r := range withMode {
			globs[i] = r.branchList()
		}
		return StageBranch, fmt.Sprintf("%s allows %s only on branches %s, not on %s", name, m, strings.Join(globs, "; "), branch), nil
	}
	return "", "", onBranch
}

// tagDenial is the reason of a grant whose rule r (the first holding m on the branch)
// does not hold on req's tags.
func (p *Policy) tagDenial(pg *pgrant, r *Rule, req *Request, m Mode) string {
	var b strings.Builder
	p.writeTagDenial(&b, pg, r, req, m)
	return b.String()
}

func (p *Policy) writeTagDenial(b *strings.Builder, pg *pgrant, r *Rule, req *Request, m Mode) {
	text, ok := p.exprs[r.Tags]
	if !ok {
		text = r.Tags.String()
	}
	b.WriteString(pg.name)
	b.WriteString(" allows ")
	b.WriteString(string(m))
	b.WriteString(" only where ")
	b.WriteString(text)
	b.WriteString("; ")
	p.writeTagFailure(b, r, req, m)
}

// tagFailure says which tags of which state make r's expression false: "User.city has
// PII, declared on User", "after the change, User.city has PII, …".
func (p *Policy) tagFailure(r *Rule, req *Request, m Mode) string {
	var b strings.Builder
	p.writeTagFailure(&b, r, req, m)
	return b.String()
}

func (p *Policy) writeTagFailure(b *strings.Builder, r *Rule, req *Request, m Mode) {
	states, n := judged(req, m)
	labels := [2]string{"", ""}
	if n == 2 {
		labels = [2]string{"before the change, ", "after the change, "}
	} else if req.Change != nil && writeJudged(req, m) {
		if req.Change.Creates {
			labels[0] = "as created, "
		} else if req.Change.Removes {
			labels[0] = "before its removal, "
		}
	}
	first := true
	for i := 0; i < n; i++ {
		tags := states[i]
		if r.Tags.EvalSorted(tags) {
			continue
		}
		if !first {
			b.WriteString("; ")
		}
		first = false
		b.WriteString(labels[i])
		why := r.Tags.Why(func(t string) bool { return contains(tags, t) })
		if len(why) == 0 {
			b.WriteString("the expression is false everywhere")
			continue
		}
		for j, l := range why {
			if j > 0 {
				b.WriteString(" and ")
			}
			b.WriteString(what(req.Path))
			if !l.Present {
				b.WriteString(" does not have ")
				b.WriteString(l.Tag)
				continue
			}
			b.WriteString(" has ")
			b.WriteString(l.Tag)
			if req.TagSource != nil {
				if src := req.TagSource(l.Tag); src != "" {
					b.WriteString(", ")
					b.WriteString(src)
				}
			}
		}
	}
}
