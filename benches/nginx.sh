# Sourced by the serve benchmarks: nginx 1.22 set up to serve static files the way serve
# answers them (sendfile, tcp_nopush, keep-alive without limit, gzip_static, no log).
#
#   nginx_conf DIR WORKERS PORT   writes DIR/nginx.conf serving DIR/www on 127.0.0.1:PORT
nginx_conf() {
    local dir=$1 workers=$2 port=$3
    cat >"$dir/nginx.conf" <<NGINX
user root;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/nginx.err;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    keepalive_timeout 600;
    client_body_temp_path $dir/nginx-body;
    default_type application/json;
    gzip_static on;
    server { listen 127.0.0.1:$port; root $dir/www; }
}
NGINX
}

# Puts FILE into DIR for nginx to serve as the same file optctl serve sends: a hard link,
# so both send the same page-cache pages. A copy is not the same to the kernel: on
# Linux 6.18, `cp` filled the page cache in 64 KiB folios where the export's one large
# write had made 256 KiB ones, and nginx sent the copy 2-8% faster than the original.
# Falls back to a copy (another filesystem) and says so.
#
#   same_file FILE DIR
same_file() {
    ln -f "$1" "$2/" 2>/dev/null || {
        echo "note: $1 copied for nginx (no hard link across filesystems)" >&2
        cp "$1" "$2/"
    }
}
