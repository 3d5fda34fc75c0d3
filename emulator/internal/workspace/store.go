package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment variables read by every plugin process of the emulator.
const (
	DirEnv     = "LLMKEYVAULT_EMULATOR_DIR"
	LatencyEnv = "LLMKEYVAULT_EMULATOR_LATENCY_MS"
	FailEnv    = "LLMKEYVAULT_EMULATOR_FAIL"
)

// ErrNoDir is returned when LLMKEYVAULT_EMULATOR_DIR is not set: the emulator
// never stands in for a real workspace silently.
var ErrNoDir = errors.New("llmkeyvault workspace emulator (a test double): " + DirEnv + " is not set")

const (
	fileName = "workspace.json"
	lockName = "workspace.lock"
)

// Store keeps a Workspace in <Dir>/workspace.json. Every access takes a flock
// on <Dir>/workspace.lock, so several plugin processes can share it.
type Store struct {
	Dir string
}

// Open returns the store in dir, creating the folder if needed.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, ErrNoDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("llmkeyvault workspace emulator: cannot create %s: %w", abs, err)
	}
	return &Store{Dir: abs}, nil
}

// OpenFromEnv opens the store named by LLMKEYVAULT_EMULATOR_DIR.
func OpenFromEnv() (*Store, error) { return Open(os.Getenv(DirEnv)) }

// Path is the workspace file.
func (s *Store) Path() string { return filepath.Join(s.Dir, fileName) }

func (s *Store) lock(how int) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(s.Dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("llmkeyvault workspace emulator: flock: %w", err)
	}
	return f, nil
}

func unlock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}

func (s *Store) load() (*Workspace, error) {
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(bytes.TrimSpace(data)) == 0) {
		return New(), nil
	}
	if err != nil {
		return nil, err
	}
	w := &Workspace{}
	if err := json.Unmarshal(data, w); err != nil {
		return nil, fmt.Errorf("llmkeyvault workspace emulator: %s is corrupt: %w", s.Path(), err)
	}
	w.normalize()
	return w, nil
}

func (s *Store) save(w *Workspace) error {
	data, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp-%d", s.Path(), os.Getpid())
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.Path())
}

// Update runs fn on the workspace under the exclusive lock and saves the
// workspace whatever fn returns (a failed call still counts and is logged);
// fn must check before it changes anything. The error is fn's.
func (s *Store) Update(fn func(w *Workspace) error) error {
	return s.withLoaded(syscall.LOCK_EX, func(w *Workspace) error {
		ferr := fn(w)
		if err := s.save(w); err != nil {
			return fmt.Errorf("llmkeyvault workspace emulator: saving %s: %w", s.Path(), err)
		}
		return ferr
	})
}

// View runs fn on the workspace under a shared lock; changes are not saved.
func (s *Store) View(fn func(w *Workspace) error) error {
	return s.withLoaded(syscall.LOCK_SH, fn)
}

// withLoaded takes the lock (syscall.LOCK_EX or LOCK_SH), loads the
// workspace and runs fn on it; the lock is released when fn returns.
func (s *Store) withLoaded(how int, fn func(w *Workspace) error) error {
	f, err := s.lock(how)
	if err != nil {
		return err
	}
	defer unlock(f)
	w, err := s.load()
	if err != nil {
		return err
	}
	return fn(w)
}

// Reset empties the workspace (counters and log included).
func (s *Store) Reset() error {
	f, err := s.lock(syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock(f)
	return s.save(New())
}

// FailSpec makes the N-th Create of Kind fail.
type FailSpec struct {
	Kind string
	N    int64
}

// FailPlan is the parsed LLMKEYVAULT_EMULATOR_FAIL.
type FailPlan []FailSpec

// ParseFailPlan parses "<kind>:<n>[,<kind>:<n>...]".
func ParseFailPlan(s string) (FailPlan, error) {
	var plan FailPlan
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, n, ok := strings.Cut(part, ":")
		num, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if !ok || err != nil || num < 1 || !isKind(strings.TrimSpace(kind)) {
			return nil, fmt.Errorf("llmkeyvault workspace emulator: bad %s entry %q: expected <kind>:<n> with kind one of %s and n >= 1",
				FailEnv, part, strings.Join(Kinds, "|"))
		}
		plan = append(plan, FailSpec{Kind: strings.TrimSpace(kind), N: num})
	}
	return plan, nil
}

func isKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Hooks are the test hooks read from the environment.
type Hooks struct {
	Latency time.Duration
	Fail    FailPlan
}

// HooksFromEnv reads LLMKEYVAULT_EMULATOR_LATENCY_MS and LLMKEYVAULT_EMULATOR_FAIL.
func HooksFromEnv() (Hooks, error) {
	var h Hooks
	if v := strings.TrimSpace(os.Getenv(LatencyEnv)); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms < 0 {
			return h, fmt.Errorf("llmkeyvault workspace emulator: bad %s %q: expected a number of milliseconds", LatencyEnv, v)
		}
		h.Latency = time.Duration(ms) * time.Millisecond
	}
	plan, err := ParseFailPlan(os.Getenv(FailEnv))
	if err != nil {
		return h, err
	}
	h.Fail = plan
	return h, nil
}

// NowMs is the wall clock in milliseconds since the epoch.
func NowMs() int64 { return time.Now().UnixMilli() }
