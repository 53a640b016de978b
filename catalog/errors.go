package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that each transport can map it to its own code in one place.
type Kind int

// The kinds of error tagflow reports. The zero value is an internal error.
const (
	Internal          Kind = iota
	InvalidDefinition      // a definitions document is wrong
	InvalidArgument        // a request argument is wrong
	NotFound               // the thing asked for does not exist
	Conflict               // the thing to create exists already
	Forbidden              // the caller may not do this
	Unauthenticated        // the caller is not known
	TooLarge               // the request is larger than allowed
	TooExpensive           // the request would do more work than one request may; split it
	Timeout                // the request ran past its deadline
)

func (k Kind) String() string {
	switch k {
	case InvalidDefinition:
		return "INVALID_DEFINITION"
	case InvalidArgument:
		return "INVALID_ARGUMENT"
	case NotFound:
		return "NOT_FOUND"
	case Conflict:
		return "CONFLICT"
	case Forbidden:
		return "FORBIDDEN"
	case Unauthenticated:
		return "UNAUTHENTICATED"
	case TooLarge:
		return "TOO_LARGE"
	case TooExpensive:
		return "COST_LIMIT"
	case Timeout:
		return "TIMEOUT"
	}
	return "INTERNAL"
}

// Error is the error value of every tagflow package below the transports.
type Error struct {
	Op       string    // the operation: "deploy", "createBranch"
	Kind     Kind      // what went wrong, for the transports
	Path     string    // the asset or branch concerned, if any
	Msg      string    // a human sentence, if Err does not say it
	Problems []Problem // the problems of a definitions document: the first MaxProblems
	// TotalProblems is how many problems there were in all, listed or not; zero means
	// len(Problems).
	TotalProblems int
	Err           error // the underlying error, if any
}

// MaxProblems is how many problems an answer lists at most; it says how many there were in
// all besides, so that a document with 300,000 bad names answers in kilobytes.
const MaxProblems = 1000

// ProblemCount is how many problems there were in all.
func (e *Error) ProblemCount() int {
	if e.TotalProblems > len(e.Problems) {
		return e.TotalProblems
	}
	return len(e.Problems)
}

// Summary is the error's sentence without its problems: what an API answers as the
// message, next to the problems in their own field, so that no client has to take the
// message apart.
func (e *Error) Summary() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(strings.ToLower(strings.ReplaceAll(e.Kind.String(), "_", " ")))
	}
	return b.String()
}

// Error is Summary followed by the number of problems and the first three, for logs and
// errors that no transport splits into fields.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Summary())
	if len(e.Problems) > 0 {
		n := e.ProblemCount()
		fmt.Fprintf(&b, " (%d problem", n)
		if n > 1 {
			b.WriteString("s")
		}
		if n > len(e.Problems) {
			fmt.Fprintf(&b, "; the first %d are listed", len(e.Problems))
		}
		b.WriteString(": ")
		for i, p := range e.Problems {
			if i == 3 {
				fmt.Fprintf(&b, "; and %d more", n-3)
				break
			}
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.String())
		}
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Problem is one thing wrong with a definitions document.
type Problem struct {
	Asset string // a dataset, featureset, field or feature path; empty for the whole document
	Line  int    // 1-based line in the document, 0 when unknown
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Asset != "" {
		b.WriteString(p.Asset)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Errorf returns an *Error of kind k for operation op.
func Errorf(op string, k Kind, format string, args ...any) *Error {
	return &Error{Op: op, Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ProblemsOf returns the document problems carried by err, if any.
func ProblemsOf(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// ProblemCountOf returns how many document problems err stands for, listed or not.
func ProblemCountOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.ProblemCount()
	}
	return 0
}

// FirstProblems sorts problems (SortProblems) and returns the first MaxProblems of them.
func FirstProblems(ps []Problem) []Problem {
	SortProblems(ps)
	if len(ps) > MaxProblems {
		clear(ps[MaxProblems:])
		ps = ps[:MaxProblems:MaxProblems]
	}
	return ps
}

// problems collects the problems of one step of a deploy check. It keeps the first
// MaxProblems in the order of SortProblems and counts the others, so that memory stays
// bounded however bad the document; the order is the order of adding until it must trim.
type problems struct {
	list    []Problem
	omitted int
}

func (p *problems) add(line int, asset, format string, args ...any) {
	p.list = append(p.list, Problem{Asset: asset, Line: line, Msg: fmt.Sprintf(format, args...)})
	if len(p.list) >= 2*MaxProblems {
		p.trim()
	}
}

// trim keeps the first MaxProblems problems. A stable sort keeps problems of the same line
// and asset in the order they were added, whatever trims came before.
func (p *problems) trim() {
	if len(p.list) <= MaxProblems {
		return
	}
	SortProblems(p.list)
	p.omitted += len(p.list) - MaxProblems
	clear(p.list[MaxProblems:])
	p.list = p.list[:MaxProblems]
}

// done returns the problems kept, at most MaxProblems, and how many were left out.
func (p *problems) done() ([]Problem, int) {
	p.trim()
	return p.list, p.omitted
}

// ErrKeyNotFound is returned by a Txn's Get for an absent key.
var ErrKeyNotFound = errors.New("key not found")
