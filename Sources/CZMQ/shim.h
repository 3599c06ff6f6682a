// ZeroMQ (libzmq), for the Jupyter kernel's sockets. Debian: libzmq3-dev.
#include <zmq.h>
