#!/usr/bin/env bash
# A private PulseAudio daemon for the real-audio tests: two null sinks, nothing touches a desktop's sound.
#
#   scripts/audio-sandbox.sh start DIR   start it with its socket and state in DIR; prints PULSE_SERVER=...
#   scripts/audio-sandbox.sh stop DIR    stop the daemon started in DIR
#   scripts/audio-sandbox.sh env DIR     print the client variables (to eval or to put in an env file)
#
# callsim_mouth:   a null sink whose monitor is the default source: play the caller's voice into it
#                  (paplay --device=callsim_mouth) and the microphone hears it.
# callsim_speaker: the default sink: what callsim plays lands there; record its monitor
#                  (parecord --device=callsim_speaker.monitor) to hear what the personas said.
# ALSA's default device goes to this daemon through libasound2-plugins (PortAudio's "pulse"/"default").
# Works as root (CI): the daemon gets its own HOME, runtime dir and socket; it never autospawns and never
# exits on idle while the tests run.
#
# A null sink that nobody plays to renders in 2-second blocks, so the first stream after a pause waits up to
# 2 s and a stopped line has already "played" into the monitor. A real sound card does not behave like that.
# So each sink gets a silent low-latency stream (pacat from /dev/zero) for the life of the daemon: the sinks
# then run in millisecond blocks like hardware, and timing (barge-in, first audio) is measured faithfully.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|env DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
socket="$dir/native"

client_env() {
    echo "PULSE_SERVER=unix:$socket"
    echo "PULSE_CLIENTCONFIG=$dir/client.conf"
}

case "$command" in
start)
    command -v pulseaudio >/dev/null || {
        echo "audio sandbox: pulseaudio is not installed (run scripts/setup.sh)" >&2
        exit 1
    }
    if [[ -S "$socket" ]] && PULSE_SERVER="unix:$socket" pactl info >/dev/null 2>&1; then
        client_env
        exit 0
    fi
    mkdir -p "$dir/home" "$dir/runtime" "$dir/state"
    printf 'autospawn = no\n' >"$dir/client.conf"
    cat >"$dir/default.pa" <<EOF
load-module module-native-protocol-unix socket=$socket auth-anonymous=1
load-module module-null-sink sink_name=callsim_mouth sink_properties=device.description=callsim_mouth
load-module module-null-sink sink_name=callsim_speaker sink_properties=device.description=callsim_speaker
set-default-sink callsim_speaker
set-default-source callsim_mouth.monitor
EOF
    env -u PULSE_SERVER HOME="$dir/home" XDG_RUNTIME_DIR="$dir/runtime" XDG_CONFIG_HOME="$dir/home" \
        PULSE_RUNTIME_PATH="$dir/runtime" PULSE_STATE_PATH="$dir/state" PULSE_CLIENTCONFIG="$dir/client.conf" \
        pulseaudio --daemonize=yes --use-pid-file=yes --exit-idle-time=-1 --disallow-exit=no \
        --system=no -n --file="$dir/default.pa" --log-target="file:$dir/pulseaudio.log" \
        >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do
        if PULSE_SERVER="unix:$socket" PULSE_CLIENTCONFIG="$dir/client.conf" pactl info >/dev/null 2>&1; then
            for sink in callsim_mouth callsim_speaker; do
                PULSE_SERVER="unix:$socket" PULSE_CLIENTCONFIG="$dir/client.conf" nohup pacat --playback \
                    --device="$sink" --latency-msec=10 --format=s16le --channels=1 --rate=44100 --raw \
                    --client-name=callsim-keepalive /dev/zero </dev/null >/dev/null 2>&1 &
                echo $! >"$dir/keepalive-$sink.pid"
            done
            # wait until both sinks have left their idle 2-second block and run at low latency
            for _ in $(seq 1 60); do
                slow=$(PULSE_SERVER="unix:$socket" PULSE_CLIENTCONFIG="$dir/client.conf" pactl list sinks |
                    awk '/^[[:space:]]*Latency:/ { if ($2 > 100000) n++ } END { print n + 0 }')
                [[ "$slow" == 0 ]] && break
                sleep 0.1
            done
            client_env
            exit 0
        fi
        sleep 0.1
    done
    echo "audio sandbox: PulseAudio did not start (log: $dir/pulseaudio.log)" >&2
    exit 1
    ;;
stop)
    for keepalive in "$dir"/keepalive-*.pid; do
        [[ -f "$keepalive" ]] || continue
        kill "$(cat "$keepalive")" 2>/dev/null || true
        rm -f "$keepalive"
    done
    pidfile="$dir/runtime/pid"
    if [[ -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$pidfile"
    fi
    rm -f "$socket"
    ;;
env)
    client_env
    ;;
*)
    usage
    ;;
esac
