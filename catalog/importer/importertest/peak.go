package importertest

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// PeakHeap runs fn while sampling the live heap every millisecond, and returns the highest
// sample in bytes, less the heap before fn: what fn needed at its peak.
func PeakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	peak := base
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if v := read(); v > peak {
					peak = v
				}
			}
		}
	}()
	fn()
	close(stop)
	<-done
	if v := read(); v > peak {
		peak = v
	}
	if peak < base {
		return 0
	}
	return peak - base
}

// LiveHeap collects garbage and returns the bytes of the heap's live objects.
func LiveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}
