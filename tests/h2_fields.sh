# The HTTP/2 and gRPC fields the tshark oracle compares, for
# tests/oracle.sh and tests/unseen_grpc.sh (sourced: sets H2F).
H2F=http2.type,http2.streamid,http2.flags,http2.length,http2.header.name
H2F=$H2F,http2.header.value,http2.headers.path,http2.headers.method
H2F=$H2F,http2.headers.status,http2.settings.id
H2F=$H2F,http2.settings.initial_window_size,http2.settings.header_table_size
H2F=$H2F,http2.settings.max_concurrent_streams,http2.settings.max_frame_size
H2F=$H2F,http2.rst_stream.error,http2.goaway.error,http2.goaway.last_stream_id
H2F=$H2F,http2.window_update.window_size_increment,http2.padding
H2F=$H2F,http2.push_promise.promised_stream_id,grpc.message_length
H2F=$H2F,grpc.compressed_flag,grpc.frame_type
