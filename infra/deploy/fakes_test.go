package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tools are the system programs the scripts run; the stand-ins' folder
// links to them and is the whole PATH, so a real sam or aws is never found.
var tools = []string{"bash", "env", "dirname", "sed", "awk", "grep", "head", "tr", "base64", "paste", "cat", "printenv"}

// fakes are stand-ins for the programs the scripts call. Each records its
// arguments, one line per call ("aws s3 sync … @<AWS_REGION>" for aws),
// in $FAKE_LOG, and answers from FAKE_* variables.
var fakes = map[string]string{
	"aws": `printf 'aws %s @%s\n' "$*" "${AWS_REGION:-}" >> "$FAKE_LOG"
case "$1 $2" in
"sts get-caller-identity")
	[ -z "${FAKE_NO_CREDENTIALS:-}" ] || { echo "Unable to locate credentials" >&2; exit 253; }
	echo 123456789012 ;;
"cloudformation describe-stacks")
	key=$(printf '%s\n' "$@" | sed -n "s/.*OutputKey=='\([A-Za-z]*\)'.*/\1/p")
	p=$(printf '%s\n' "$@" | sed -n "s/.*ParameterKey=='\([A-Za-z]*\)'.*/\1/p")
	[ -z "$p" ] || { v=$(printenv "FAKE_PARAM_$p" || true); echo "${v:-None}"; exit 0; }
	[ -n "$key" ] || { echo "(the outputs' table)"; exit 0; }
	v=$(printenv "FAKE_OUT_$key" || true)
	echo "${v:-None}" ;;
"s3 cp")
	[ "$3" != - ] || printf 'aws stdin %s\n' "$(cat)" >> "$FAKE_LOG" ;;
"cognito-idp list-users") echo "${FAKE_LIST_USERS:-None}" ;;
"cognito-idp admin-create-user") echo new-user ;;
"cognito-idp list-users-in-group") printf '%b' "${FAKE_GROUP:-}" ;;
"cognito-idp admin-list-groups-for-user") echo "${FAKE_GROUPS:-}" ;;
"cognito-idp admin-get-user") printf 'CONFIRMED\t%s\n' "${FAKE_MFA:-}" ;;
"cognito-idp describe-user-pool") echo "${FAKE_POOL_ATTRS:-None}" ;;
esac
`,
	"sam": `printf 'sam %s\n' "$*" >> "$FAKE_LOG"
[ "$1" != deploy ] || exit "${FAKE_SAM_DEPLOY_EXIT:-0}"
`,
	"make": `printf 'make %s\n' "$*" >> "$FAKE_LOG"
`,
	// curl answers 200 for the centres in FAKE_CENTRES, 404 for others, and
	// an OpenID provider's discovery document with FAKE_OIDC_CONFIG (fails
	// as curl -f does without one).
	"curl": `printf 'curl %s\n' "$*" >> "$FAKE_LOG"
for a; do url=$a; done
case $url in */.well-known/openid-configuration)
	[ -n "${FAKE_OIDC_CONFIG:-}" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
	printf '%s\n' "$FAKE_OIDC_CONFIG"; exit 0 ;;
esac
case " ${FAKE_CENTRES:-} " in *" ${url##*/} "*) echo 200 ;; *) echo 404 ;; esac
`,
}

// stage is a copy of the deploy scripts in a temporary repository with the
// given samconfig.toml and a built web/dist, and a folder of stand-ins.
type stage struct {
	repo, bin, log string
}

func newStage(t *testing.T, samconfig string, without ...string) *stage {
	t.Helper()
	dir := t.TempDir()
	s := &stage{repo: filepath.Join(dir, "repo"), bin: filepath.Join(dir, "bin"), log: filepath.Join(dir, "calls.log")}
	for _, d := range []string{filepath.Join(s.repo, "infra", "deploy"), filepath.Join(s.repo, "web", "dist"), s.bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	scripts, err := filepath.Glob("*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts here: %v", err)
	}
	for _, sc := range scripts {
		copyFile(t, sc, filepath.Join(s.repo, "infra", "deploy", sc), 0o755)
	}
	write(t, filepath.Join(s.repo, "samconfig.toml"), samconfig, 0o644)
	write(t, filepath.Join(s.repo, "web", "dist", "index.html"), "<!doctype html>", 0o644)
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s is needed to run the scripts: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(s.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range fakes {
		if !slices.Contains(without, name) {
			write(t, filepath.Join(s.bin, name), "#!/bin/bash\n"+body, 0o755)
		}
	}
	return s
}

// run runs a script of the stage (a path in its repository) with the FAKE_* settings in env, and
// answers its output (stdout and stderr), exit code and the calls the
// stand-ins recorded.
func (s *stage) run(t *testing.T, env map[string]string, script string, args ...string) (string, int, []string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.repo, script), args...)
	cmd.Env = []string{"PATH=" + s.bin, "HOME=" + s.repo, "LC_ALL=C.UTF-8", "FAKE_LOG=" + s.log}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("%s: %v", script, err)
		}
		code = exit.ExitCode()
	}
	data, err := os.ReadFile(s.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	os.Remove(s.log)
	var calls []string
	if len(data) > 0 {
		calls = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	return out.String(), code, calls
}

// inOrder reports the first of wants (prefixes of calls) not found after
// the previous one, or "".
func inOrder(calls, wants []string) string {
	i := 0
	for _, w := range wants {
		for i < len(calls) && !strings.HasPrefix(calls[i], w) {
			i++
		}
		if i == len(calls) {
			return w
		}
		i++
	}
	return ""
}

func write(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(data), mode)
}

// realSamconfig is the repository's samconfig.toml; filled is it with every
// CHANGE-ME given a value, as a city would.
func realSamconfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func filled(t *testing.T) string {
	return strings.ReplaceAll(realSamconfig(t), "CHANGE-ME", "city-value")
}
