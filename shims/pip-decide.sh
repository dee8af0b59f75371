# Sourced by shims/pip (pip, pip3, pipX.Y) and shims/python (python -m pip): pure sh, no node.
#
# _sp_installs ARGS: true when pip's command line can install or build anything (install / download
# / wheel / lock, or unsure) or is one of safe-pip's own (`pip safe …`: our messages advise it, as
# the user typed pip), false when it certainly cannot. pip's main parser stops at the first
# positional (the command); general options that take a value consume the next word. An option we
# do not know exactly (an abbreviation) counts as "can install".
_sp_installs() {
  _sp_skip=0
  for _sp_a in "$@"; do
    if [ "$_sp_skip" = 1 ]; then
      _sp_skip=0
      continue
    fi
    case $_sp_a in
      --safe-*) return 0 ;;
      --python | --log | --log-file | --local-log | --keyring-provider | --proxy | --retries | --resume-retries | \
      --timeout | --default-timeout | --exists-action | --trusted-host | --cert | --client-cert | --cache-dir | \
      --use-feature | --use-deprecated)
        _sp_skip=1 ;;
      --*=*) ;;
      --debug | --isolated | --require-virtualenv | --require-venv | --verbose | --version | --quiet | --no-input | \
      --no-cache-dir | --disable-pip-version-check | --no-color | --no-python-version-warning | --help)
        ;;
      --) return 0 ;;
      -[hvVq]*)
        case ${_sp_a#-} in
          *[!hvVq]*) return 0 ;;
        esac
        ;;
      -*) return 0 ;;
      install | download | wheel | lock | safe) return 0 ;;
      *) return 1 ;;
    esac
  done
  return 1
}

# _sp_find_real NAME SHIMDIR ROOT: the first NAME on PATH that is not one of ours (empty when none).
_sp_find_real() {
  _sp_ifs=$IFS
  IFS=:
  _sp_real=
  for _sp_d in $PATH; do
    [ -n "$_sp_d" ] || _sp_d=.
    if [ -f "$_sp_d/$1" ] && [ -x "$_sp_d/$1" ] &&
      ! [ "$_sp_d/$1" -ef "$2/$1" ] && ! [ "$_sp_d" -ef "$2" ] && ! [ "$_sp_d/$1" -ef "$3/bin/safe-pip.js" ]; then
      _sp_real=$_sp_d/$1
      break
    fi
  done
  IFS=$_sp_ifs
}

# _sp_root_checks REAL: 0 when root is about to run REAL (a pip, or python for `-m pip`) of a virtual
# environment, or one not root's own: safe-pip then runs it as the venv's owner or refuses it (their
# code in it — a .pth file — must not run as root). Otherwise the real tool runs straight away.
_sp_root_checks() {
  [ "$(id -u)" = 0 ] || return 1
  _sp_bindir=${1%/*}
  # Python's own rule: pyvenv.cfg beside the interpreter or one folder up makes it a venv.
  [ -f "$_sp_bindir/../pyvenv.cfg" ] || [ -f "$_sp_bindir/pyvenv.cfg" ] && return 0
  ! [ -O "$1" ]
}
