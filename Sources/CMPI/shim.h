#include <mpi.h>
// MPI_COMM_WORLD, MPI_BYTE and MPI_ERRORS_RETURN are macros over casts of
// library globals (Open MPI) that Swift cannot import; these three
// one-line functions are the only code in this target.
static inline MPI_Comm kymo_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype kymo_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Errhandler kymo_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
