package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passwords of users (issue 9 item 3): stored only as argon2id hashes in the PHC string
// format, $argon2id$v=19$m=MEMORY_KIB,t=PASSES,p=LANES$SALT$HASH (base64 without padding),
// so that a hash made with older parameters still verifies after they change.
//
// The parameters are OWASP's first argon2id recommendation (Password Storage Cheat Sheet):
// m=19 MiB, t=2, p=1, a 16-byte salt and a 32-byte hash. One hash takes about 50 ms and
// 19 MiB on one core (2-core test machine, 2026-12-02), so that 2 cores verify some 40 logins a second; logins are rate
// limited before any hashing (graphql's login limiter), which bounds the memory too.

// Password length bounds, in characters. The maximum bounds the work a request can ask
// for (argon2 reads the password once, but a body of megabytes is still refused early).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// passwordParams are argon2id's parameters.
type passwordParams struct {
	memory  uint32 // KiB
	passes  uint32
	lanes   uint8
	saltLen int
	keyLen  uint32
}

// hashParams are the parameters of new hashes. Tests of this package make them lighter
// (export_test.go); nothing else changes them.
var hashParams = owaspParams

// owaspParams are OWASP's first argon2id recommendation.
var owaspParams = passwordParams{memory: 19 * 1024, passes: 2, lanes: 1, saltLen: 16, keyLen: 32}

// Bounds on the parameters a stored hash may name, so that a corrupt record cannot make
// one login take minutes or gigabytes.
const (
	maxHashMemory = 256 * 1024 // KiB
	maxHashPasses = 16
	maxHashLanes  = 8
)

var b64 = base64.RawStdEncoding

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	if !utf8.ValidString(pw) {
		return fmt.Errorf("a password must be UTF-8 text")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return fmt.Errorf("a password needs at least %d characters, this one has %d", MinPasswordLength, n)
	}
	if n > MaxPasswordLength {
		return fmt.Errorf("a password has at most %d characters, this one has %d", MaxPasswordLength, n)
	}
	return nil
}

// hashPassword returns the PHC string of pw under hashParams with a new random salt.
func hashPassword(pw string) string { return hashWith(hashParams, pw) }

func hashWith(p passwordParams, pw string) string {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("access: no randomness: " + err.Error())
	}
	key := argon2.IDKey([]byte(pw), salt, p.passes, p.memory, p.lanes, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.passes, p.lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// phcHash is a parsed PHC string.
type phcHash struct {
	params passwordParams
	salt   []byte
	key    []byte
}

// parsePHC parses an argon2id PHC string, refusing parameters outside the bounds above.
func parsePHC(s string) (phcHash, error) {
	var h phcHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, fmt.Errorf("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("argon2 version %q, want v=%d", parts[2], argon2.Version)
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return h, fmt.Errorf("bad parameter %q", kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, fmt.Errorf("bad parameter %q", kv)
		}
		switch k {
		case "m":
			h.params.memory = uint32(n)
		case "t":
			h.params.passes = uint32(n)
		case "p":
			if n > 255 {
				return h, fmt.Errorf("bad parameter %q", kv)
			}
			h.params.lanes = uint8(n)
		default:
			return h, fmt.Errorf("unknown parameter %q", k)
		}
	}
	p := h.params
	if len(seen) != 3 || p.passes < 1 || p.passes > maxHashPasses || p.lanes < 1 || p.lanes > maxHashLanes ||
		p.memory < 8*uint32(p.lanes) || p.memory > maxHashMemory {
		return h, fmt.Errorf("parameters %q out of bounds", parts[3])
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return h, fmt.Errorf("bad salt")
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return h, fmt.Errorf("bad hash")
	}
	h.params.saltLen, h.params.keyLen = len(h.salt), uint32(len(h.key))
	return h, nil
}

// verifyPassword reports whether pw matches the PHC string stored; a stored string that
// does not parse matches nothing.
func verifyPassword(stored, pw string) bool {
	h, err := parsePHC(stored)
	if err != nil {
		return false
	}
	p := h.params
	key := argon2.IDKey([]byte(pw), h.salt, p.passes, p.memory, p.lanes, p.keyLen)
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// dummyHash is a hash of a random password under hashParams: a login for a user that does
// not exist, or has no password, verifies against it, so that it costs the same time as a
// wrong password and its answer does not tell whether the user exists.
var dummyHash = sync.OnceValue(func() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hashPassword(b64.EncodeToString(b[:]))
})
