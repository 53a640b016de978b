package graphql

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Rate limits (issue 9 items 3 and 5). Both structures are bounded maps: an entry that no
// longer holds anything back is dropped first when the map is full, and if none is, some
// arbitrary one, which only gives its key a fresh start.

// Defaults of the per-principal request limit: far above one client's 10,000 requests a
// second (the load targets are 5,000 a second from one token), so that only a runaway
// client meets it.
const (
	DefaultRateLimit = 20_000 // requests a second
	DefaultRateBurst = 40_000
)

// Login limits: a user (org and name) gets loginFreeFailures failed logins, an address
// loginFreeAddressFailures, before each further failure makes it wait, 1 s doubling to
// at most loginMaxWait; failures older than loginForget are forgotten. A success clears
// its user's failures but not its address's, so that an attacker cannot clear the count
// of an address with a login of its own.
const (
	loginFreeFailures        = 5
	loginFreeAddressFailures = 20
	loginFirstWait           = time.Second
	loginMaxWait             = 15 * time.Minute
	loginForget              = time.Hour
	maxLimiterEntries        = 10_000
	maxRequestLimiters       = 100_000
)

// failureLimiter makes a key wait after free failures, longer after each one.
type failureLimiter struct {
	free int

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n     int       // failures since the count was last forgotten
	last  time.Time // the last failure
	until time.Time // no attempt before
}

func newFailureLimiter(free int) *failureLimiter {
	return &failureLimiter{free: free, m: map[string]*failures{}}
}

// wait is how long key must wait before its next attempt, 0 if it need not.
func (l *failureLimiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.m[key]; f != nil && now.Before(f.until) {
		return f.until.Sub(now)
	}
	return 0
}

// fail counts a failure of key.
func (l *failureLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.m[key]
	if f == nil {
		if len(l.m) >= maxLimiterEntries {
			l.evict(now)
		}
		f = &failures{}
		l.m[key] = f
	}
	if now.Sub(f.last) >= loginForget {
		f.n = 0
	}
	f.n++
	f.last = now
	if over := f.n - l.free; over > 0 {
		d := loginMaxWait
		if over < 20 {
			d = min(loginFirstWait<<(over-1), loginMaxWait)
		}
		f.until = now.Add(d)
	}
}

// reset forgets the failures of key.
func (l *failureLimiter) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

// evict drops the entries that hold nothing back (no wait, failures forgotten), and if
// that frees less than a tenth of the map, the entries whose last failure is the oldest,
// down to nine tenths: the keys under attack now stay, and the work is paid once per
// tenth of the map. Called with l.mu held.
func (l *failureLimiter) evict(now time.Time) {
	for k, f := range l.m {
		if now.Sub(f.last) >= loginForget && !now.Before(f.until) {
			delete(l.m, k)
		}
	}
	keep := maxLimiterEntries * 9 / 10
	if len(l.m) <= keep {
		return
	}
	keys := make([]string, 0, len(l.m))
	for k := range l.m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return l.m[keys[i]].last.Before(l.m[keys[j]].last) })
	for _, k := range keys[:len(keys)-keep] {
		delete(l.m, k)
	}
}

// requestLimiter is a token bucket per principal.
type requestLimiter struct {
	limit rate.Limit
	burst int

	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// newRequestLimiter is a limiter of perSecond requests with burst; nil (no limit) when
// perSecond is negative.
func newRequestLimiter(perSecond float64, burst int) *requestLimiter {
	if perSecond < 0 {
		return nil
	}
	return &requestLimiter{limit: rate.Limit(perSecond), burst: burst, m: map[string]*rate.Limiter{}}
}

// allow takes one request of key from its bucket, or says how long until it may.
func (l *requestLimiter) allow(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	lim := l.m[key]
	if lim == nil {
		if len(l.m) >= maxRequestLimiters {
			l.evict(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.m[key] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Hour, false
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// evict drops the buckets that are full again (a new one is the same), and if none is,
// a tenth of them. Called with l.mu held.
func (l *requestLimiter) evict(now time.Time) {
	for k, lim := range l.m {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
	for k := range l.m {
		if len(l.m) < maxRequestLimiters*9/10 {
			break
		}
		delete(l.m, k)
	}
}

// refuseRateLimited answers 429 RATE_LIMITED in the endpoint's shape, with Retry-After in
// whole seconds (at least 1) and a message saying when to try again.
func (s *Server) refuseRateLimited(c *gin.Context, wait time.Duration, why string) {
	secs := int(math.Ceil(wait.Seconds()))
	secs = max(secs, 1)
	at := s.now().Add(time.Duration(secs) * time.Second).UTC().Format(time.RFC3339)
	c.Header("Retry-After", strconv.Itoa(secs))
	s.refuse(c, http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf("%s; try again in %ds (after %s)", why, secs, at))
}
