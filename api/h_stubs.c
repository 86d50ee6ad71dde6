/* Temporary: handlers not written yet answer 500. */
#include "api/handlers.h"
#define STUB(n)                                                                                    \
    int n(struct api_req *req)                                                                     \
    {                                                                                              \
        return api_fail(req, -ENOSYS, NULL, "not yet");                                            \
    }
STUB(api_h_user_create)
STUB(api_h_user_get)
STUB(api_h_user_patch)
STUB(api_h_session_create)
STUB(api_h_session_delete)
STUB(api_h_me)
STUB(api_h_problem_list)
STUB(api_h_problem_create)
STUB(api_h_problem_get)
STUB(api_h_problem_replace)
STUB(api_h_problem_delete)
STUB(api_h_problem_tests)
STUB(api_h_problem_rejudge)
STUB(api_h_submission_create)
STUB(api_h_submission_list)
STUB(api_h_submission_get)
STUB(api_h_run_create)
STUB(api_h_run_get)
