package server

import "net/http"

// webRoutes adds the dashboard's pages to mux.
func (s *Service) webRoutes(mux *http.ServeMux) {}
