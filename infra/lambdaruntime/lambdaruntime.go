// Package lambdaruntime runs a function's bootstrap as Lambda's provided
// runtimes run it: a process started with AWS_LAMBDA_RUNTIME_API naming a
// local stand-in of the Lambda runtime API, which hands it invocations
// (GET /2018-06-01/runtime/invocation/next) and takes its answers
// (…/invocation/{id}/response, …/error, /runtime/init/error). It measures
// what Lambda reports for a cold start: the init duration (process start
// to its first /next, which Lambda calls Init Duration), each invocation's
// duration, and the process's memory (VmHWM and VmRSS, Linux only).
//
// The AWS runtime interface emulator does the same inside a container
// image; this stand-in runs a bootstrap built for this machine directly,
// with no image and no Docker (README, "Cold start and size").
package lambdaruntime

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

const apiPrefix = "/2018-06-01/runtime/"

// Options start a Process.
type Options struct {
	// Env is the function's whole environment (Lambda passes no other);
	// AWS_LAMBDA_RUNTIME_API is added.
	Env map[string]string
	// Timeout is the deadline each invocation is given (0: 30 s).
	Timeout time.Duration
	// Stdout and Stderr receive the function's output (nil: discarded).
	Stdout, Stderr io.Writer
}

// Process is one execution environment: the bootstrap and its runtime API.
type Process struct {
	cmd     *exec.Cmd
	srv     *http.Server
	timeout time.Duration
	started time.Time

	queue   chan *pending
	initErr chan []byte
	exited  chan struct{}
	exitErr error

	mu      sync.Mutex
	ready   chan struct{} // closed at the first /next
	readyAt time.Time
	pending map[string]*pending
	seq     int
}

type pending struct {
	id      string
	payload []byte
	handed  time.Time // when /next gave it out
	done    chan Result
}

// Result is one invocation's answer.
type Result struct {
	Body []byte
	// Failed: the function answered …/error (Body is its error document).
	Failed bool
	// Duration runs from the event's delivery to the runtime (its /next
	// answered) to the runtime posting the answer, as Lambda bills it.
	Duration time.Duration
}

// Start starts bin with the runtime API listening on a free loopback port.
func Start(bin string, o Options) (*Process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Process{
		timeout: o.Timeout, queue: make(chan *pending), initErr: make(chan []byte, 1),
		exited: make(chan struct{}), ready: make(chan struct{}), pending: map[string]*pending{},
	}
	if p.timeout == 0 {
		p.timeout = 30 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"invocation/next", p.next)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) { p.answer(w, r, false) })
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) { p.answer(w, r, true) })
	mux.HandleFunc("POST "+apiPrefix+"init/error", p.initError)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln) // returns at Close

	env := make([]string, 0, len(o.Env)+1)
	for k, v := range o.Env {
		env = append(env, k+"="+v)
	}
	env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	p.cmd = exec.Command(bin)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, o.Stdout, o.Stderr
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		p.srv.Close()
		return nil, err
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// next hands the runtime the next invocation, waiting for one; the first
// call ends init.
func (p *Process) next(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	select {
	case <-p.ready:
	default:
		p.readyAt = time.Now()
		close(p.ready)
	}
	p.mu.Unlock()
	var inv *pending
	select {
	case inv = <-p.queue:
	case <-r.Context().Done():
		return
	}
	p.mu.Lock()
	inv.handed = time.Now()
	p.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(p.timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:cn-north-1:000000000000:function:local")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload) // a runtime that lost it never answers: Invoke's ctx ends the wait
}

func (p *Process) answer(w http.ResponseWriter, r *http.Request, failed bool) {
	at := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	inv, ok := p.pending[r.PathValue("id")]
	delete(p.pending, r.PathValue("id"))
	var handed time.Time
	if ok {
		handed = inv.handed
	}
	p.mu.Unlock()
	if !ok {
		http.Error(w, "unknown request id", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	inv.done <- Result{Body: body, Failed: failed, Duration: at.Sub(handed)}
}

func (p *Process) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	select {
	case p.initErr <- body:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// WaitInit waits for the end of init: the runtime's first /next. It fails
// if the runtime reports an init error or the process exits first.
func (p *Process) WaitInit(ctx context.Context) (time.Duration, error) {
	select {
	case <-p.ready:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.readyAt.Sub(p.started), nil
	case body := <-p.initErr:
		return 0, fmt.Errorf("lambdaruntime: init error: %s", bytes.TrimSpace(body))
	case <-p.exited:
		return 0, fmt.Errorf("lambdaruntime: the bootstrap exited during init: %v", p.exitErr)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Invoke sends one event and waits for its answer.
func (p *Process) Invoke(ctx context.Context, payload []byte) (Result, error) {
	p.mu.Lock()
	p.seq++
	inv := &pending{id: fmt.Sprintf("req-%06d", p.seq), payload: payload, done: make(chan Result, 1)}
	p.pending[inv.id] = inv
	p.mu.Unlock()
	select {
	case p.queue <- inv:
	case <-p.exited:
		return Result{}, fmt.Errorf("lambdaruntime: the bootstrap exited: %v", p.exitErr)
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case res := <-inv.done:
		return res, nil
	case <-p.exited:
		return Result{}, fmt.Errorf("lambdaruntime: the bootstrap exited during the invocation: %v", p.exitErr)
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Memory is the process's resident memory, in bytes.
type Memory struct {
	// Peak is the high-water mark (VmHWM): what Lambda's Max Memory Used
	// reports of this process.
	Peak int64
	// Resident is the resident set now (VmRSS).
	Resident int64
}

// Memory reads /proc/<pid>/status.
func (p *Process) Memory() (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	var m Memory
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("lambdaruntime: %s: %w", name, err)
		}
		if name == "VmHWM" {
			m.Peak = kb << 10
		} else {
			m.Resident = kb << 10
		}
	}
	if err := s.Err(); err != nil {
		return Memory{}, err
	}
	if m.Peak == 0 {
		return Memory{}, errors.New("lambdaruntime: no VmHWM in /proc/<pid>/status")
	}
	return m, nil
}

// Close ends the process (killed, as Lambda ends an execution environment
// it no longer needs) and the runtime API.
func (p *Process) Close() error {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Kill() // an error: it has exited meanwhile
		<-p.exited
	}
	return p.srv.Close()
}
