package dbtest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// FiguresVar names a file that Figure appends to (make test sets it and
// prints the file at the end): go test shows a passing test's log only
// with -v, and the issue-15 tests' figures are meant to be read every run.
const FiguresVar = "ENROL_FIGURES"

var figuresMu sync.Mutex

// Figure logs a measured figure of t's (t.Logf) and, when ENROL_FIGURES
// names a file, appends it there as one line under the test's name.
func Figure(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	path := os.Getenv(FiguresVar)
	if path == "" {
		return
	}
	figuresMu.Lock()
	defer figuresMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("%s: %v", FiguresVar, err)
		return
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s: %s\n", t.Name(), line); err != nil {
		t.Errorf("%s: %v", FiguresVar, err)
	}
}
