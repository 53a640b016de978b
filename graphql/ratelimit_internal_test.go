package graphql

import (
	"strconv"
	"testing"
	"time"
)

// The limiters' memory is bounded, and what they drop first holds nothing back.
func TestLimitersAreBounded(t *testing.T) {
	now := time.Now()
	l := newFailureLimiter(loginFreeFailures)
	for i := 0; i < loginFreeFailures+3; i++ {
		l.fail("victim", now)
	}
	if l.wait("victim", now) != 4*time.Second {
		t.Fatalf("victim waits %v after 3 failures over the free ones, want 4s", l.wait("victim", now))
	}
	for i := 0; i < 3*maxLimiterEntries; i++ {
		l.fail("spray"+strconv.Itoa(i), now.Add(-time.Minute)) // older failures than the victim's
	}
	if len(l.m) > maxLimiterEntries {
		t.Errorf("%d login entries, over the bound of %d", len(l.m), maxLimiterEntries)
	}
	if l.wait("victim", now) == 0 {
		t.Error("a spray of other names evicted the user under attack")
	}

	r := newRequestLimiter(1, 2)
	if _, ok := r.allow("a", now); !ok {
		t.Fatal("a first request is refused")
	}
	for i := 0; i < maxRequestLimiters+10; i++ {
		r.allow("p"+strconv.Itoa(i), now)
	}
	if len(r.m) > maxRequestLimiters {
		t.Errorf("%d buckets, over the bound of %d", len(r.m), maxRequestLimiters)
	}
	if newRequestLimiter(-1, 0) != nil {
		t.Error("a negative limit is not 'no limit'")
	}
}
