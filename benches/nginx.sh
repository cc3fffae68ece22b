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
