package templatecheck

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/config"
)

const typeKMSKey = "AWS::KMS::Key"

// keyUsers is who may use which key for what: the only functions whose
// roles the key policies and IAM policies may allow each KMS action.
var keyUsers = map[string]map[string][]string{
	"IdentityKey": {"kms:GenerateMac": {"BookingsFunction", "CentresFunction"}},
	"PersonalDataKey": {
		"kms:GenerateDataKey": {"BookingsFunction"},
		"kms:Decrypt":         {"BookingsFunction", "CentresFunction", "RetentionFunction", "DrawsFunction"},
	},
}

// keyEnv names the variable that carries each key's ARN to its functions.
var keyEnv = map[string]string{"IdentityKey": "IDENTITY_KEY_ID", "PersonalDataKey": "PERSONAL_DATA_KEY_ID"}

// useActions are the KMS actions that use key material (as against
// administering the key); a key policy grants them only to keyUsers.
var useActions = regexp.MustCompile(`^kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|GenerateRandom|Sign|Verify|DeriveSharedSecret|Decapsulate)`)

func kmsStatement(s samtemplate.Statement) bool {
	return slices.ContainsFunc(s.Actions, func(a string) bool { return strings.HasPrefix(a, "kms:") })
}

func keyResources(tpl *samtemplate.Template) map[string]bool {
	out := map[string]bool{}
	for _, id := range tpl.ResourceIDs(typeKMSKey) {
		out["!GetAtt "+id+".Arn"] = true
	}
	return out
}

// TestKeysAreKMSKeys: the two keys exist with the spec and usage the code
// calls them with, the personal-data key rotates, and nothing in the
// template is a secret to be resolved into a function.
func TestKeysAreKMSKeys(t *testing.T) {
	tpl := loadTemplate(t)
	want := map[string]map[string]any{
		"IdentityKey":     {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
		"PersonalDataKey": {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "EnableKeyRotation": true},
	}
	if got := tpl.ResourceIDs(typeKMSKey); !slices.Equal(got, sortedKeys(want)) {
		t.Fatalf("KMS keys %v, want %v", got, sortedKeys(want))
	}
	for id, props := range want {
		for k, v := range props {
			if got := tpl.Resources[id].Properties[k]; got != v {
				t.Errorf("%s %s = %v, want %v", id, k, got, v)
			}
		}
	}
	for id, r := range tpl.Resources {
		if strings.HasPrefix(r.Type, "AWS::SecretsManager::") || strings.HasPrefix(r.Type, "AWS::SSM::") {
			t.Errorf("%s is a %s: keys are KMS keys, named by ARN, never a secret resolved into a function", id, r.Type)
		}
	}
}

// TestNoSecretInFunctionEnvironment: every function environment value is a
// reference or a plain setting, never a resolved secret or key material;
// a key variable is exactly its KMS key's ARN, and only functions allowed
// to use the key get it.
func TestNoSecretInFunctionEnvironment(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		for name, v := range f.Environment {
			if strings.Contains(v, "resolve:secretsmanager") || strings.Contains(v, "resolve:ssm") {
				t.Errorf("%s %s resolves a secret into the function's environment: %s", id, name, v)
			}
			if strings.Contains(name, "SECRET") || strings.Contains(name, "PASSWORD") || strings.HasSuffix(name, "_KEY") {
				t.Errorf("%s has %s: a function names keys (…_KEY_ID), it holds none", id, name)
			}
		}
		for key, name := range keyEnv {
			v, has := f.Environment[name]
			may := false
			for _, fns := range keyUsers[key] {
				may = may || slices.Contains(fns, id)
			}
			switch {
			case has && v != "!GetAtt "+key+".Arn":
				t.Errorf("%s %s = %q, want !GetAtt %s.Arn", id, name, v, key)
			case has && !may:
				t.Errorf("%s gets %s but may not use %s", id, name, key)
			case !has && may:
				t.Errorf("%s may use %s but is not given %s", id, key, name)
			}
		}
	}
	// The check that a local value is a key name, not a key, is config's.
	if config.IsKMSKeyName("enrol-local-development-key-not-a-secret") {
		t.Fatal("config.IsKMSKeyName accepts key material")
	}
}

// TestOnlyNamedFunctionsUseKeys: each function's IAM policy allows a KMS
// action only on a key keyUsers lets it use, and each key policy lets the
// account administer the key but use it only from exactly those functions'
// roles.
func TestOnlyNamedFunctionsUseKeys(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range sortedKeys(tpl.Functions) {
		granted := map[string][]string{} // key → actions
		for _, s := range tpl.Functions[id].Policies {
			if !kmsStatement(s) || s.Effect != "Allow" {
				continue
			}
			for _, r := range s.Resources {
				key := strings.TrimSuffix(strings.TrimPrefix(r, "!GetAtt "), ".Arn")
				for _, a := range s.Actions {
					if !slices.Contains(keyUsers[key][a], id) {
						t.Errorf("%s is allowed %s on %s; keyUsers does not let it", id, a, r)
					}
					granted[key] = append(granted[key], a)
				}
			}
		}
		for key, actions := range keyUsers {
			for a, fns := range actions {
				if slices.Contains(fns, id) && !slices.Contains(granted[key], a) {
					t.Errorf("%s needs %s on %s but its policy does not allow it", id, a, key)
				}
			}
		}
	}
	for key, actions := range keyUsers {
		policy := mapOf(tpl.Resources[key].Properties["KeyPolicy"])
		used := map[string][]string{}
		for _, raw := range policy["Statement"].([]any) {
			st := mapOf(raw)
			acts := strList(st["Action"])
			if st["Effect"] != "Allow" {
				continue
			}
			var uses []string
			for _, a := range acts {
				if useActions.MatchString(a) {
					uses = append(uses, a)
				}
			}
			if len(uses) == 0 {
				continue
			}
			roles := strList(mapOf(mapOf(st["Condition"])["ArnLike"])["aws:PrincipalArn"])
			if len(roles) == 0 {
				t.Errorf("%s: statement %v allows %v to the account without naming the roles", key, st["Sid"], uses)
			}
			for _, a := range uses {
				for _, r := range roles {
					used[a] = append(used[a], roleFunction(t, r))
				}
			}
		}
		for a, fns := range actions {
			if got := slices.Sorted(slices.Values(used[a])); !slices.Equal(got, slices.Sorted(slices.Values(fns))) {
				t.Errorf("%s's key policy lets %v use %s, want %v", key, got, a, fns)
			}
		}
		for a := range used {
			if _, ok := actions[a]; !ok {
				t.Errorf("%s's key policy allows %s, which no function needs", key, a)
			}
		}
	}
}

// roleFunction is the function whose SAM-made role an ARN pattern matches:
// …:role/${AWS::StackName}-<Function>Role-*.
func roleFunction(t *testing.T, pattern string) string {
	m := regexp.MustCompile(`:role/\$\{AWS::StackName\}-([A-Za-z0-9]+)Role-\*$`).FindStringSubmatch(pattern)
	if m == nil {
		t.Errorf("role pattern %q is not <stack>-<Function>Role-*", pattern)
		return pattern
	}
	return m[1]
}

// strList is a list of strings or one string, intrinsics rendered.
func strList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, samtemplate.Render(e))
		}
		return out
	case nil:
		return nil
	default:
		return []string{samtemplate.Render(x)}
	}
}
