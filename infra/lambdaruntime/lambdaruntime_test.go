package lambdaruntime

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// echo builds testdata/echo as the Lambda build does (lambda.norpc).
func echo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestProcess: aws-lambda-go's runtime loop, talking to the stand-in,
// starts, takes events in turn with their request ids and deadlines in its
// context, answers, reports a handler's error on …/error, and shows its
// memory; a bootstrap that exits during init is reported as such.
func TestProcess(t *testing.T) {
	bin := echo(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Start(bin, Options{Env: map[string]string{"GREETING": "你好"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	init, err := p.WaitInit(ctx)
	if err != nil || init <= 0 || init > 30*time.Second {
		t.Fatalf("init %v, %v", init, err)
	}
	for i, ev := range []string{`{"n":1}`, `[2]`} {
		res, err := p.Invoke(ctx, []byte(ev))
		if err != nil || res.Failed || res.Duration <= 0 {
			t.Fatalf("invocation %d: %+v, %v", i, res, err)
		}
		var got struct {
			Event    json.RawMessage
			Request  string
			Deadline bool
			Greeting string
		}
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatalf("%s: %v", res.Body, err)
		}
		if string(got.Event) != ev || got.Request != "req-00000"+string(rune('1'+i)) || !got.Deadline || got.Greeting != "你好" {
			t.Errorf("invocation %d answered %s", i, res.Body)
		}
	}
	res, err := p.Invoke(ctx, []byte(`"fail"`))
	if err != nil || !res.Failed || !strings.Contains(string(res.Body), "asked to fail") {
		t.Errorf("a failing handler: %+v %s, %v", res, res.Body, err)
	}
	m, err := p.Memory()
	if err != nil || m.Resident <= 0 || m.Peak < m.Resident {
		t.Errorf("memory %+v, %v", m, err)
	}

	q, err := Start(bin, Options{Env: map[string]string{"ECHO_EXIT": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, err := q.WaitInit(ctx); err == nil || !strings.Contains(err.Error(), "exited during init") {
		t.Errorf("a bootstrap that exits at init: %v", err)
	}
}
