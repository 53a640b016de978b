//go:build !race

package tags_test

const raceEnabled = false
