package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// TokenPrefix starts every tagflow token, so that secret scanners can find leaked ones.
const TokenPrefix = "tf_"

// Token is the stored record of an access token. The secret itself is never stored: only
// its SHA-256, which is enough for tokens of 256 random bits.
type Token struct {
	ID        string     `json:"id"`
	Hash      string     `json:"hash"`
	Org       string     `json:"org"`
	Principal string     `json:"principal"` // reference, e.g. user:admin
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a new random token and its hash.
func newSecret() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error()) // crypto/rand does not fail on Linux
	}
	token = TokenPrefix + strings.ToLower(b32.EncodeToString(b[:]))
	return token, hashToken(token)
}

func newID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
