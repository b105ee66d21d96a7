# samconfig.sh, sourced by deploy.sh and accounts.sh: reads one environment
# of samconfig.toml (the subset of TOML that file is written in: a
# [ENV.deploy.parameters] table of key = "string" lines and a
# parameter_overrides array, one "Name=value" string a line). The Go test
# in this folder reads the same file with a TOML parser and checks that
# these functions agree with it.

samconfig=samconfig.toml

# samconfig_envs: every environment with a deploy table, but default.
samconfig_envs() {
	sed -n 's/^\[\([A-Za-z0-9_-]*\)\.deploy\.parameters\][[:space:]]*$/\1/p' "$samconfig" | grep -vx default || true
}

# samconfig_section ENV: the lines of [ENV.deploy.parameters], comments out.
samconfig_section() {
	awk -v h="[$1.deploy.parameters]" '$0 == h {on = 1; next} /^\[[A-Za-z]/ {on = 0} on' "$samconfig" |
		grep -v '^[[:space:]]*#' || true
}

# samconfig_setting ENV KEY: the string value of KEY (stack_name, region).
samconfig_setting() {
	samconfig_section "$1" | sed -n "s/^$2[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*\$/\1/p" | head -n 1
}

# samconfig_placeholders ENV: the name of every setting or parameter of ENV
# still CHANGE-ME, one a line.
samconfig_placeholders() {
	samconfig_section "$1" | grep 'CHANGE-ME' |
		sed -E 's/^[[:space:]]*"?([A-Za-z0-9_]+)[[:space:]]*=.*/\1/' || true
}

# samconfig_check_env ENV: stops, naming the environments there are, unless
# ENV is one of them.
samconfig_check_env() {
	local envs
	envs=$(samconfig_envs | tr '\n' ' ')
	if [ -z "$1" ]; then
		echo "请指定环境 / say which environment: ENV=<${envs% }> (samconfig.toml)" >&2
		exit 2
	fi
	if ! samconfig_envs | grep -qx -- "$1"; then
		echo "未知环境 / unknown environment '$1': samconfig.toml has ${envs% }" >&2
		exit 2
	fi
}

# stack_output STACK KEY: one output of the deployed stack (empty if none).
stack_output() {
	local v
	v=$(aws cloudformation describe-stacks --stack-name "$1" \
		--query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text)
	[ "$v" = None ] || printf '%s\n' "$v"
}
